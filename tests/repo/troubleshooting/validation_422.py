"""Troubleshooting, 422 Unprocessable Entity: what FastAPI answers, and a handler that reshapes it.

docs/troubleshooting.md includes this file; tests/repo/troubleshooting/test_validation_422.py
checks that the answers shown there are the real ones.
"""

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

# --8<-- [start:app]
app = FastAPI()


class Item(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)


@app.post("/items")
async def create_item(item: Item) -> Item:
    return item


# --8<-- [end:app]

# --8<-- [start:handler]
app_with_handler = FastAPI()


@app_with_handler.exception_handler(RequestValidationError)
async def validation_error_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    # One readable line per problem ("price: Input should be greater than 0"), still a 422.
    # Don't return exc.errors() as it is: its "ctx" may hold exceptions JSON can't encode.
    problems = [
        f"{'.'.join(str(part) for part in error['loc'][1:]) or 'body'}: {error['msg']}"
        for error in exc.errors()
    ]
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={"detail": "The request is not valid.", "problems": problems},
    )


# --8<-- [end:handler]

app_with_handler.post("/items")(create_item)
