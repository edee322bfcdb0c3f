; Every return statement.
(return_statement) @ret
