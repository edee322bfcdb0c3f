; `x = f(...)`, `s->x = f(...)` and `T *x = f(...)`, also through a cast: candidate NULL sources.
(assignment_expression
  left: [(identifier) (field_expression)] @var
  operator: "="
  right: [
    (call_expression function: (identifier) @fn)
    (cast_expression value: (call_expression function: (identifier) @fn))
  ] @value) @site

(init_declarator
  declarator: (pointer_declarator declarator: (identifier) @var)
  value: [
    (call_expression function: (identifier) @fn)
    (cast_expression value: (call_expression function: (identifier) @fn))
  ] @value) @site
