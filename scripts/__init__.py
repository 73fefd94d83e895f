"""Developer tools run with ``python -m scripts.<name>``; not packaged into the Lambda functions."""
