"""The benchmark's `calculate` tool without eval: numbers, + - * /, unary signs and parentheses only."""

import ast
import operator
from decimal import ROUND_HALF_UP, Decimal, DivisionByZero, InvalidOperation, localcontext

BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}
MAX_LENGTH = 1000
CENT = Decimal("0.01")


class CalculationError(ValueError):
    """The expression is not plain arithmetic, or has no value (division by zero)."""


def calculate(expression: str) -> Decimal:
    """The expression's value, computed in decimal and rounded to the cent as the benchmark answers."""
    if len(expression) > MAX_LENGTH:
        raise CalculationError(f"expression longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        raise CalculationError(f"not an arithmetic expression: {expression!r}") from None
    with localcontext() as context:
        context.prec = 34
        try:
            return _evaluate(tree.body).quantize(CENT, rounding=ROUND_HALF_UP)
        except (DivisionByZero, ZeroDivisionError):
            raise CalculationError(f"{expression!r} divides by zero") from None
        except InvalidOperation:
            raise CalculationError(f"{expression!r} is too large to compute to the cent") from None


def _evaluate(node: ast.AST) -> Decimal:
    # bool is an int subclass, so True and False are refused explicitly; 1e999 parses as infinity.
    if isinstance(node, ast.Constant) and type(node.value) in (int, float) and Decimal(node.value).is_finite():
        return Decimal(str(node.value))
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        return BINARY[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in UNARY:
        return UNARY[type(node.op)](_evaluate(node.operand))
    raise CalculationError(f"only numbers, + - * / and parentheses are allowed, not {ast.unparse(node)!r}")
