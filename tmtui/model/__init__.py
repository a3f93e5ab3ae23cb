"""Model I/O: the OpenAI-compatible client, the embedded servers and the batch runner."""
