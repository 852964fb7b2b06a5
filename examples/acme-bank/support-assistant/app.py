"""Public support assistant: answers product questions with a hosted LLM."""
import os
from pathlib import Path

from fastapi import FastAPI
from openai import OpenAI

SYSTEM_PROMPT = Path(__file__).parent.joinpath("prompts/system_prompt.md").read_text()
client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
app = FastAPI()


@app.post("/ask")
def ask(question: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": question},
        ],
    )
    return reply.choices[0].message.content
