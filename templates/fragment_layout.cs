<?cs # fragment_layout.cs: the layout of a part of a page rendered on its own (model_streams.cs): the content alone ?><?cs call:content() ?>
