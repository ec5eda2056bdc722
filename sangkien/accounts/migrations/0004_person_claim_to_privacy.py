# PersonClaim (FK to initiatives.Person) moves to the privacy app, above initiatives (issue 10).
# State only: the table accounts_personclaim and its rows stay where they are;
# privacy 0002 takes the model over under the same table name.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_purpose_consent'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='PersonClaim')],
            database_operations=[],
        ),
    ]
