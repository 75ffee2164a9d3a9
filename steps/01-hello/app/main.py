from fastapi_offline import FastAPIOffline

app = FastAPIOffline(title="Workshop API")


@app.get("/")
async def root() -> dict[str, str]:
    return {"message": "Hello World"}
