"""What the faces run: each job reads its inputs, runs an audit, prints a summary and writes results and a report.

The command line (:mod:`leakpro.cli`) and the web app (:mod:`leakpro.web`) both call these, so the two faces
share one code path; nothing below the faces layer imports this package.
"""
