; Candidate NULL tests of a variable (confirmed in Python): `!p`, `p == NULL`,
; `p != NULL`, `if (p)`, `while (p)`, `p ? a : b`, `p && ...`, `IS_ERR_OR_NULL(p)`.
(unary_expression operator: "!" argument: (identifier) @var)
(unary_expression operator: "!" argument: (parenthesized_expression (identifier) @var))
(binary_expression left: (identifier) @var operator: ["==" "!="])
(binary_expression operator: ["==" "!="] right: (identifier) @var)
(binary_expression left: (identifier) @var operator: ["&&" "||"])
(binary_expression operator: ["&&" "||"] right: (identifier) @var)
(if_statement condition: (parenthesized_expression (identifier) @var))
(while_statement condition: (parenthesized_expression (identifier) @var))
(do_statement condition: (parenthesized_expression (identifier) @var))
(for_statement condition: (identifier) @var)
(conditional_expression condition: (identifier) @var)
(call_expression
  function: (identifier) @fn
  arguments: (argument_list . (identifier) @var .)
  (#any-of? @fn "IS_ERR_OR_NULL" "ZERO_OR_NULL_PTR" "likely" "unlikely" "WARN_ON" "WARN_ON_ONCE" "BUG_ON"))
