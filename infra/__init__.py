"""Infrastructure definitions shared by the deployment, the local stack and the tests."""
