"""The how engine: flow analytics and process mining on the lake, written once in Ibis."""
