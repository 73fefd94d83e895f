"""Adapters own AWS: each takes its boto3 client in the constructor and speaks the domain's types."""
