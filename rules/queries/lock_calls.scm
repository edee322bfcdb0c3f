; Calls that may take or release a lock (sorted out in Python by name).
((call_expression function: (identifier) @fn) @call
  (#match? @fn "lock|^up$|^up_|^down|^release_sock$"))
