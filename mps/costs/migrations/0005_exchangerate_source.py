# Each exchange rate records its source: Norges Bank or an ECB cross rate via the euro.

from django.db import migrations, models


def to_codes(apps, schema_editor):
    # Until now every rate came from Norges Bank and said so in free text.
    apps.get_model("costs", "ExchangeRate").objects.update(source="norges-bank")


def to_text(apps, schema_editor):
    ExchangeRate = apps.get_model("costs", "ExchangeRate")
    ExchangeRate.objects.filter(source="norges-bank").update(source="Norges Bank")
    ExchangeRate.objects.filter(source="ecb").update(source="ECB")


class Migration(migrations.Migration):

    dependencies = [
        ("costs", "0004_costmonth_national"),
    ]

    operations = [
        migrations.RunPython(to_codes, to_text),
        migrations.AlterField(
            model_name="exchangerate",
            name="source",
            field=models.CharField(
                choices=[("norges-bank", "Norges Bank"), ("ecb", "ECB (cross rate via the euro)")],
                default="norges-bank",
                max_length=20,
                verbose_name="source",
            ),
        ),
    ]
