"""The patterns read model: when an area's reports happen, by weekday and hour and by month."""
