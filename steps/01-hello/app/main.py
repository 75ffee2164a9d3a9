from fastapi import FastAPI

app = FastAPI(title="Workshop API")


@app.get("/")
async def root() -> dict[str, str]:
    return {"message": "Hello World"}
