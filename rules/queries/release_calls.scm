; Calls that free what their argument points to (the argument is picked in Python).
((call_expression function: (identifier) @fn) @call
  (#any-of? @fn "kfree" "kvfree" "kfree_sensitive" "kvfree_sensitive" "kzfree" "vfree" "kfree_const"
    "bitmap_free" "kmem_cache_free" "mempool_free" "kfree_skb" "kfree_skb_reason" "consume_skb"
    "dev_kfree_skb" "dev_kfree_skb_any" "dev_kfree_skb_irq" "dev_consume_skb_any" "dev_consume_skb_irq"
    "napi_consume_skb" "free_netdev"))
