"""Pure statistics: confidence intervals for proportions and AUC."""
