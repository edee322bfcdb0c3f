; `return NULL;`: inside a function definition of the viewed source, it makes that
; function (the file's own helper) one that can fail with NULL.
(return_statement (null) @null)
