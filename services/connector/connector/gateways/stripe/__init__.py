"""Stripe: payment intents on the official library, webhooks verified with its signature check (§15.2)."""
