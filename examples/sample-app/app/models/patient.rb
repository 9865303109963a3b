class Patient < ApplicationRecord
  belongs_to :clinic
  has_many :appointments, dependent: :destroy

  after_commit :refresh_search_index, on: [:create, :update]

  private

  def refresh_search_index
    SearchIndexJob.perform_later(id)
  end
end
