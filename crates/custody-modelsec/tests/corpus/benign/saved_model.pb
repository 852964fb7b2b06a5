è
"serveÉ

node_0Placeholder

node_1MatMul
1
node_2Const* 
valueBBmodelB
_temp/part

node_3SaveV2

node_4	RestoreV2