"""Price analysis without Django: list-price catalogues, workload baskets, paid-versus-list.

Issue 6, "Price analysis": vendors' list prices per SKU over time (generic CSV and the Azure
Retail Prices API JSON), price rises above a threshold, baskets priced in NOK on a date with the
index split into list-price and exchange-rate effects, and what an agency actually paid.
"""
