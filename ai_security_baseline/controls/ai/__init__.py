"""AI controls (the AI layer: Bedrock, SageMaker Studio, the model registry): one folder per control."""
