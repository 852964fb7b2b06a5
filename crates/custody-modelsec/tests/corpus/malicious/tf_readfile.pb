a
"serveV
+
node_0Const*
valueBB/etc/passwd

node_1ReadFile

node_2	WriteFile