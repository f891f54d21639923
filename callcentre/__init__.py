"""Call-centre management: calls from phone systems and by hand, KPIs per queue, agent and
interval, the wallboard, Erlang C capacity planning and quality scorecards. Sits above
service (queues, cases) in the layering."""
