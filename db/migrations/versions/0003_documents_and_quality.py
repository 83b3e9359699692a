"""documents numbering series, invoice totals and snapshots, inspection batch links

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 07:09:12.299206
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sequences(with_series: bool) -> sa.Table:
    # The primary key changes (year -> series, year), which batch mode cannot alter: the table is rebuilt.
    columns = [sa.Column('series', sa.String(length=16), nullable=False)] if with_series else []
    key = ('series', 'year') if with_series else ('year',)
    return op.create_table(
        'invoice_sequences',
        *columns,
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*key, name=op.f('pk_invoice_sequences')),
    )


def upgrade() -> None:
    rows = op.get_bind().execute(sa.text('SELECT year, last_number FROM invoice_sequences')).all()
    op.drop_table('invoice_sequences')
    table = _sequences(with_series=True)
    if rows:
        op.bulk_insert(table, [{'series': 'invoice', 'year': y, 'last_number': n} for y, n in rows])

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refund_transaction_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('shipping', sa.Numeric(precision=12, scale=2), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('vat_rate_pct', sa.Numeric(precision=5, scale=2), nullable=False,
                                      server_default='20'))
        batch_op.add_column(sa.Column('ship_to', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.create_unique_constraint(batch_op.f('uq_invoices_refund_transaction_id'), ['refund_transaction_id'])
        batch_op.create_foreign_key(batch_op.f('fk_invoices_refund_transaction_id_payment_transactions'),
                                    'payment_transactions', ['refund_transaction_id'], ['id'])

    # The server defaults only filled existing rows; the models own the defaults from here on.
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        for name in ('reason', 'shipping', 'vat_rate_pct', 'ship_to'):
            batch_op.alter_column(name, server_default=None)

    with op.batch_alter_table('quality_inspections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rma_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_quality_inspections_batch_reference'), ['batch_reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_quality_inspections_rma_id'), ['rma_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_quality_inspections_rma_id_return_requests'),
                                    'return_requests', ['rma_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('quality_inspections', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_quality_inspections_rma_id_return_requests'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_quality_inspections_rma_id'))
        batch_op.drop_index(batch_op.f('ix_quality_inspections_batch_reference'))
        batch_op.drop_column('rma_id')

    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invoices_refund_transaction_id_payment_transactions'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_invoices_refund_transaction_id'), type_='unique')
        batch_op.drop_column('ship_to')
        batch_op.drop_column('vat_rate_pct')
        batch_op.drop_column('shipping')
        batch_op.drop_column('reason')
        batch_op.drop_column('refund_transaction_id')

    rows = op.get_bind().execute(sa.text(
        "SELECT year, last_number FROM invoice_sequences WHERE series = 'invoice'")).all()
    op.drop_table('invoice_sequences')
    table = _sequences(with_series=False)
    if rows:
        op.bulk_insert(table, [{'year': y, 'last_number': n} for y, n in rows])
