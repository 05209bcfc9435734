"""The queueing lab: Little's Law, the hockey stick, Erlang C and pool sizing."""
