; Every identifier, for rules that follow one variable through a function.
(identifier) @name
