"""Fine-tunes the base classifier on labelled transactions with a LoRA adapter."""
from datasets import load_dataset
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForSequenceClassification, AutoTokenizer

base = AutoModelForSequenceClassification.from_pretrained("./models/base")
tokenizer = AutoTokenizer.from_pretrained("./models/base")
data = load_dataset("json", data_files="data/transactions.jsonl")

model = get_peft_model(base, LoraConfig(r=8, target_modules=["q_proj", "v_proj"]))
# ... training loop elided ...
model.save_pretrained("./models/fraud-adapter")
