"""The image-captioning assignment: recurrent layers, a captioning model and their tools."""
