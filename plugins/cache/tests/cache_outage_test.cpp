int valory_placeholder_();
