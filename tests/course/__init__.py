"""The course as students and teachers meet it: notebooks, command lines, JupyterLab, the site."""
