"""The webhooks service: signed outgoing webhooks fed by the connector's event stream."""
