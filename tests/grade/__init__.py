"""The class grader: sandbox, records, reports, Gradescope, and attacks on them."""
