"""What connector reports about its own work: the background queues' depth and age."""
