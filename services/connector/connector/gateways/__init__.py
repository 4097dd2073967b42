"""Payment gateways behind one protocol (``base.PaymentGateway``), chosen by payment_provider."""
