"""Demo data: a deterministic generator of realistic Chinese company data and its loader.

``data`` holds the word lists, ``generators`` turns a seeded ``random.Random`` into companies,
customers and products (plain records, no database), and ``loader.load_demo`` writes the
company profile, the sales branches, one demo login per role and the demo customers (with
contacts, credit grades, needs and interactions, through the customer services)
(``orderdesk demo``).
"""
