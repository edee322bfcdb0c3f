; `x = f(...)`, `s->x = f(...)`, `a[i] = f(...)`, `*p = f(...)` and `T *x = f(...)`,
; also through a cast: where a call's result is stored, for rules that follow the
; stored value (its tests, its release).
(assignment_expression
  left: [(identifier) (field_expression) (subscript_expression) (pointer_expression)] @var
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
