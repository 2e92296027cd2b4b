"""Membership metrics: ROC, AUC with its interval, TPR at fixed FPR with exact intervals."""
