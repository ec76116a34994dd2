"""GOV controls: one folder per control."""
