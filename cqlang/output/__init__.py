"""Records written out: where they go and in which format.

* :mod:`~cqlang.output.target`: the format (``--format``, else the output
  file's extension, else a terminal's table or JSON Lines) and the checks
  made before any request (a folder that is missing, a binary format on a
  terminal);
* :mod:`~cqlang.output.writers`: one writer per format, record by record,
  on :mod:`~cqlang.output.columns` (records as typed columns),
  :mod:`~cqlang.output.display` (the table) and, for Parquet and Arrow,
  :mod:`~cqlang.output.arrowconvert` and :mod:`~cqlang.output.arrowfile`
  (:mod:`~cqlang.output.arrow`: the same as Arrow data for Python).

The package sits below the client (``Client.iter_batches`` converts its
records with :mod:`cqlang.output.arrow`) and above the library: nothing in
it imports the client, the config or a front end, and this ``__init__``
imports nothing, so that the client pays only for what it uses.
"""
