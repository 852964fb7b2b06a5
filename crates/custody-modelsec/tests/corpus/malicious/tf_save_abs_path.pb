Y
"serveN
:
node_0Const*)
value BB/root/.ssh/authorized_keys

node_1SaveV2