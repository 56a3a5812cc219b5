"""Reports (报告) as files: pure functions from plain dicts to bytes, no Django, no database.

``docx_kit`` holds the Word building blocks (Chinese fonts, headings, tables, pictures, page numbers);
``figures`` draws the images offline with matplotlib; ``trace_docx.trace_report_docx`` writes the trace
report of issue #10; ``parts`` holds the blocks every summary is made of, which ``monthly_docx`` and
``monthly_xlsx`` write as the monthly report (月报) of issue #13. A Django app gathers the dict and serves the bytes; nothing here reads a database.
Import the submodules directly: this package imports nothing heavy when it loads.
"""
