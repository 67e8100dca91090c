"""How every instance stays in step with the others: the change log that domain code
writes to (`log`), and the follower that each serving process runs over it (`follower`)."""
