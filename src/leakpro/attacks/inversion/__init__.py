"""Model inversion: white-box class inversion (MI-Face) and attribute inference (Fredrikson et al. 2014)."""
