"""IAM: the policy evaluator, IAM-data validation, access analysis and the exhaustive sweep."""
