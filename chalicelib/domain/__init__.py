"""The pure domain: rules of the Jeugdwet reference index, free of AWS, Chalice and the clock."""
