"""Datasets: loaders for user tables and arrays, and the registry of built-in datasets."""
