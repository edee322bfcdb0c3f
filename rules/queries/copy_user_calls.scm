; copy_from_user() and the other calls that return the number of bytes not copied:
; the calls themselves (@call), and where their result is stored (@site, @var).
((call_expression function: (identifier) @fn) @call
  (#any-of? @fn
    "__clear_user"
    "__copy_from_user"
    "__copy_from_user_inatomic"
    "__copy_from_user_inatomic_nocache"
    "__copy_to_user"
    "__copy_to_user_inatomic"
    "clear_user"
    "copy_from_user"
    "copy_mc_to_user"
    "copy_to_user"
    "raw_copy_from_user"
    "raw_copy_to_user"
  ))

((assignment_expression
  left: [(identifier) (field_expression)] @var
  operator: "="
  right: [
    (call_expression function: (identifier) @sfn)
    (cast_expression value: (call_expression function: (identifier) @sfn))
  ]) @site
  (#any-of? @sfn
    "__clear_user"
    "__copy_from_user"
    "__copy_from_user_inatomic"
    "__copy_from_user_inatomic_nocache"
    "__copy_to_user"
    "__copy_to_user_inatomic"
    "clear_user"
    "copy_from_user"
    "copy_mc_to_user"
    "copy_to_user"
    "raw_copy_from_user"
    "raw_copy_to_user"
  ))

((init_declarator
  declarator: (identifier) @var
  value: [
    (call_expression function: (identifier) @sfn)
    (cast_expression value: (call_expression function: (identifier) @sfn))
  ]) @site
  (#any-of? @sfn
    "__clear_user"
    "__copy_from_user"
    "__copy_from_user_inatomic"
    "__copy_from_user_inatomic_nocache"
    "__copy_to_user"
    "__copy_to_user_inatomic"
    "clear_user"
    "copy_from_user"
    "copy_mc_to_user"
    "copy_to_user"
    "raw_copy_from_user"
    "raw_copy_to_user"
  ))
