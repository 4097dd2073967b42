"""Incoming payment-provider notifications (connector.md §15): Worldpay, Stripe and sandbox."""
